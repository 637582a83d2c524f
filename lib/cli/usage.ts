export const USAGE = `sbsh — a shell that sandboxes what an untrusted repository could run

usage:
  sbsh [-l|--login] [--no-tui]        interactive shell (decision pane when stdout is a TTY)
  sbsh -c 'LINE' [NAME [ARGS...]]     run one line through the whole pipeline; exits with its status
  sbsh SCRIPT [ARGS...]               run a script file as one unit, under the script's class
  sbsh plan [--json] -c 'LINE'        print the plan without running anything
  sbsh doctor [--json]                which backends work here, and how to get the rest
  sbsh policy init|check|show|schema  write, validate, print the merged policy, print its JSON Schema
  sbsh trust [FILE]                   trust a repository policy file (default ./sbsh.yaml) by content hash
  sbsh log [--json] [-n N]            the audit log
  sbsh demo exfil                     a malicious install, run sandboxed, every attack shown blocked
  sbsh resident [--idle SECONDS]      stay running, and take this user's sbsh -c lines that run
                                      in the sandbox, without node's start-up each time

options:
  --policy NAME     start from the built-in policy NAME (default, strict, ci, demo)
  -h, --help        this text
  --version         the version

exit status: the command's own (128+n after signal n); 126 denied by policy;
125 the sandbox could not be set up; 2 usage or policy-file error.
`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
