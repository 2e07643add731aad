// The `s7rt` command: dispatches to a subcommand; every failure is one line naming what was wrong.
import { mainHelp } from './help';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(mainHelp);
      return command === undefined ? 2 : 0;
    case 'run':
      return (await import('./run')).runCommand(rest);
    case 'demo':
      return (await import('./demo')).demoCommand(rest);
    case 'serve':
      return (await import('./serve')).serveCommand(rest);
    case 'classify':
      return (await import('./classify')).classifyCommand(rest);
    default:
      console.error(`s7rt: unknown command "${command}"\n\n${mainHelp}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err: Error) => {
    console.error(`s7rt: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`);
    exit(1);
  },
);

function exit(code: number): void {
  process.exitCode = code;
  // Everything is closed by now; if a library still holds a handle, do not hang on it.
  setTimeout(() => process.exit(code), 1000).unref();
}
