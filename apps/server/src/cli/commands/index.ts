import { bashCompletion, zshCompletion } from '../completion.js';
import type { CommandSpec } from '../spec.js';
import { APP_COMMANDS } from './apps.js';
import { EXECUTION_COMMANDS } from './executions.js';
import { IMPORT_COMMANDS } from './import.js';
import { JOB_COMMANDS } from './jobs.js';
import { SCHEDULE_COMMANDS } from './schedules.js';
import { TASK_COMMANDS } from './tasks.js';

const completion = (shell: 'bash' | 'zsh'): CommandSpec => ({
  noun: 'completion',
  verb: shell,
  summary: `Print the ${shell} completion script`,
  positionals: [],
  options: [],
  examples: [`source <(batchyard completion ${shell})`],
  async run() {
    return { text: shell === 'bash' ? bashCompletion(COMMANDS) : zshCompletion(COMMANDS) };
  },
});

/** Every client command: the parser, --help, completion and the README's CLI table read this table. */
export const COMMANDS: readonly CommandSpec[] = [
  ...APP_COMMANDS,
  ...TASK_COMMANDS,
  ...EXECUTION_COMMANDS,
  ...SCHEDULE_COMMANDS,
  ...JOB_COMMANDS,
  ...IMPORT_COMMANDS,
  completion('bash'),
  completion('zsh'),
];
