/**
 * The operator's commands (`npm run admin -- <command>`), parsed from argv. Pure: a bad command
 * is a `UsageError` naming what is wrong; `main.ts` prints the usage line and exits 2.
 */

/** One command of the admin tool. */
export type AdminCommand =
  | { kind: 'dead-letters-list'; json: boolean }
  | { kind: 'dead-letters-show'; id: string; json: boolean }
  | { kind: 'dead-letters-replay'; id: string | 'all'; json: boolean }
  | { kind: 'dead-letters-purge'; json: boolean }
  | { kind: 'tickets-list'; state?: string; json: boolean }
  | { kind: 'conversation-show'; id: string; json: boolean };

/** The one usage line. */
export const usage =
  'usage: npm run admin -- dead-letters list|show <id>|replay <id>|replay --all|purge | tickets list [--state S] | conversation show <id>  [--json]';

/** A command line the tool does not understand. */
export class UsageError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'UsageError';
  }
}

/** Parse the arguments after `--`. */
export function parseAdminArgs(argv: readonly string[]): AdminCommand {
  const json = argv.includes('--json');
  const words = argv.filter((word) => word !== '--json');
  const [group, verb, ...rest] = words;
  const one = (what: string): string => {
    if (rest.length !== 1 || rest[0]!.startsWith('--')) throw new UsageError(`${group} ${verb} needs exactly one ${what}`);
    return rest[0]!;
  };
  const none = () => {
    if (rest.length > 0) throw new UsageError(`${group} ${verb} takes no more arguments`);
  };
  switch (`${group ?? ''} ${verb ?? ''}`) {
    case 'dead-letters list':
      none();
      return { kind: 'dead-letters-list', json };
    case 'dead-letters show':
      return { kind: 'dead-letters-show', id: one('dead letter id'), json };
    case 'dead-letters replay':
      if (rest.length === 1 && rest[0] === '--all') return { kind: 'dead-letters-replay', id: 'all', json };
      return { kind: 'dead-letters-replay', id: one('dead letter id (or --all)'), json };
    case 'dead-letters purge':
      none();
      return { kind: 'dead-letters-purge', json };
    case 'tickets list': {
      if (rest.length === 0) return { kind: 'tickets-list', json };
      if (rest.length === 2 && rest[0] === '--state' && rest[1] !== '') return { kind: 'tickets-list', state: rest[1], json };
      throw new UsageError('tickets list takes only --state S');
    }
    case 'conversation show':
      return { kind: 'conversation-show', id: one('conversation id'), json };
    default:
      throw new UsageError(words.length === 0 ? 'no command given' : `unknown command "${words.slice(0, 2).join(' ')}"`);
  }
}
