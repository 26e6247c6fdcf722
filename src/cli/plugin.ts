// The kubectl plugin as a function of its arguments: parse, run the command, turn every failure into
// one line on stderr. Exit status: 0 on success, 1 on any error.
import { CliError } from './cluster-access.ts';
import { type CliIo, runCommand } from './commands.ts';
import { parseCommandLine, usage } from './options.ts';

/** Runs the plugin; returns the exit status. */
export async function runPlugin(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case 'help':
      io.out(usage);
      return 0;
    case 'error':
      io.err(`error: ${parsed.message}\nRun "kubectl certhost --help" for usage.\n`);
      return 1;
    case 'run':
      try {
        await runCommand(parsed.options, io);
        return 0;
      } catch (e) {
        if (e instanceof CliError) {
          io.err(`error: ${e.message}\n`);
          return 1;
        }
        // A bug: one line too; CERTHOST_DEBUG=1 adds the stack for whoever reports it.
        io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        if (process.env.CERTHOST_DEBUG) io.err(`${e instanceof Error ? e.stack : ''}\n`);
        return 1;
      }
  }
}
