// `npm run bench`: runs every bench/*.bench.ts in its own process, one after another, so
// one benchmark's garbage and JIT state never colour the next one's numbers.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", `${dir}${file}`], {
    stdio: "inherit",
  });
  if (run.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
