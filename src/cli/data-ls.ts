import { Command } from "commander";

export function lsCommand(): Command {
  return new Command("ls").description("(not built yet)").action(() => {
    throw new Error("stom data ls is not built yet");
  });
}
