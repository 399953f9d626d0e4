import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileError, listPngs } from './files.js';

/** One set of same-named files, one path per role (e.g. `gt`, `pred`, `input`), plus the shared file name. */
export type MatchedFiles<Role extends string> = { readonly name: string } & { readonly [R in Role]: string };

export interface MatchPngsOptions<Role extends string> {
  /**
   * The role whose PNGs drive the match: every PNG it lists must have a same-named file in every other role.
   * Files the other roles have beyond those are ignored. Default: the first role of `sources`.
   */
  primary?: Role;
  /** How many missing names an error lists before it says "and N more". Default 5. */
  maxListed?: number;
  /** How errors name a role, e.g. `(r) => \`--${r}\`` for a CLI option. Default: the role itself. */
  label?: (role: Role) => string;
}

/**
 * Matches PNG files by name across several sources, each either a directory or a single file.
 *
 * - All directories: every `.png` of the primary directory must exist, by the same name, in each other
 *   directory; the error names each directory and the files it misses.
 * - All files: one set, named after the primary file.
 * - A mix of files and directories is an error naming the arguments.
 *
 * Sets are returned sorted by name. Errors name the source role (the CLI option) and the path.
 *
 * ```ts
 * const sets = await matchPngsByName({ pred: 'out/', gt: 'data/gt/', input: 'data/input/' }, { primary: 'pred' });
 * for (const { name, gt, pred, input } of sets) console.log(name, gt, pred, input);
 * ```
 */
export async function matchPngsByName<Role extends string>(
  sources: Record<Role, string>,
  options: MatchPngsOptions<NoInfer<Role>> = {},
): Promise<MatchedFiles<Role>[]> {
  const roles = Object.keys(sources) as Role[];
  if (roles.length === 0) throw new Error('matchPngsByName: no sources given');
  const primary = options.primary ?? roles[0];
  if (!roles.includes(primary))
    throw new Error(`matchPngsByName: primary '${primary}' is not one of ${roles.join(', ')}`);
  const maxListed = options.maxListed ?? 5;
  const label = options.label ?? ((r: Role) => r);
  const named = (r: Role) => `${label(r)} ${sources[r]}`;

  const kinds = new Map<Role, 'file' | 'dir'>();
  for (const role of roles) kinds.set(role, await pathKind(sources[role], named(role)));
  const dirs = roles.filter((r) => kinds.get(r) === 'dir');
  if (dirs.length > 0 && dirs.length < roles.length) {
    const files = roles.filter((r) => kinds.get(r) === 'file');
    throw new Error(
      `give all directories or all files: ${dirs.map(named).join(', ')} ` +
        `${dirs.length === 1 ? 'is a directory' : 'are directories'} but ` +
        `${files.map(named).join(', ')} ${files.length === 1 ? 'is a file' : 'are files'}`,
    );
  }

  if (dirs.length === 0) {
    const set = { name: path.basename(sources[primary]) } as Record<string, string>;
    for (const role of roles) set[role] = sources[role];
    return [set as MatchedFiles<Role>];
  }

  let primaryFiles: string[];
  try {
    primaryFiles = await listPngs(sources[primary]);
  } catch (err) {
    throw new Error(`${label(primary)} ${(err as Error).message}`);
  }
  const names = primaryFiles.map((f) => path.basename(f));
  const available = new Map<Role, Set<string>>();
  for (const role of roles) {
    if (role === primary) continue;
    available.set(role, new Set(await fs.readdir(sources[role])));
  }
  const problems: string[] = [];
  for (const [role, have] of available) {
    const missing = names.filter((n) => !have.has(n));
    if (missing.length === 0) continue;
    const listed = missing.slice(0, maxListed).join(', ');
    const more = missing.length > maxListed ? ` and ${missing.length - maxListed} more` : '';
    problems.push(
      `${named(role)} is missing ${missing.length} of the ${names.length} files in ` +
        `${named(primary)}: ${listed}${more}`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join('; '));

  return names.map((name) => {
    const set = { name } as Record<string, string>;
    for (const role of roles) set[role] = path.join(sources[role], name);
    return set as MatchedFiles<Role>;
  });
}

/** Whether `p` is a file or a directory; errors start with `what` (the labelled path). */
async function pathKind(p: string, what: string): Promise<'file' | 'dir'> {
  let stat;
  try {
    stat = await fs.stat(p);
  } catch (err) {
    throw fileError(what, err, { missing: 'no such file or directory' });
  }
  if (stat.isDirectory()) return 'dir';
  if (stat.isFile()) return 'file';
  throw new Error(`${what}: neither a file nor a directory`);
}
