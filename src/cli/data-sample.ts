import { Command } from "commander";

export function sampleCommand(): Command {
  return new Command("sample").description("(not built yet)").action(() => {
    throw new Error("stom data sample is not built yet");
  });
}
