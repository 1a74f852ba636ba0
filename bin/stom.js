#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `stom` works from a checkout with no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
