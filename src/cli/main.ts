// Entry point of the kubectl plugin: bin/kubectl-certhost runs this file (or dist/cli/main.js when
// installed from a build). The plugin itself is runPlugin in plugin.ts.
import type { CliIo } from './commands.ts';
import { runPlugin } from './plugin.ts';

/** Resolves once the text is handed to the OS, so exiting right after loses nothing of a piped output. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (text === '') resolve();
    else stream.write(text, () => resolve());
  });
}

const pending: Promise<void>[] = [];
const io: CliIo = { out: (t) => pending.push(write(process.stdout, t)), err: (t) => pending.push(write(process.stderr, t)) };
const code = await runPlugin(process.argv.slice(2), io);
await Promise.all(pending);
// Exit now: the API client's keep-alive connections would hold the process for a while.
process.exit(code);
