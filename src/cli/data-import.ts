import { Command } from "commander";

export function importCommand(): Command {
  return new Command("import").description("(not built yet)").action(() => {
    throw new Error("stom data import is not built yet");
  });
}
