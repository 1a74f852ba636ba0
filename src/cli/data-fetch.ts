import { Command } from "commander";

export function fetchCommand(): Command {
  return new Command("fetch").description("(not built yet)").action(() => {
    throw new Error("stom data fetch is not built yet");
  });
}
