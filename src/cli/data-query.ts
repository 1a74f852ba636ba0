import { Command } from "commander";

export function queryCommand(): Command {
  return new Command("query").description("(not built yet)").action(() => {
    throw new Error("stom data query is not built yet");
  });
}
