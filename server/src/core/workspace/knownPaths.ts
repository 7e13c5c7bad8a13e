/**
 * Every regular file of the tree by root-relative path, whether the engine reads it or not. The engine reads only
 * deployment files, but `templatefile()` and `file()` may name any file (`cloud-init.yaml`, `setup.txt`, an
 * extension-less `startup`): to say a path does not exist, the tool must know the other names too.
 *
 * A lookup is one Set probe. The case-insensitive index (for the "exists with another case" hint) and the set of
 * directories are built on first use and dropped when a path is added or removed, so the keystroke path never walks
 * the file set: only creating or deleting a file does.
 */
import { SKIPPED_DIRS } from './fileKinds';

/** `present`: a file of the tree; `absent`: the listing is complete and has no such file; `unknown`: cannot say. */
export type PathStatus = 'present' | 'absent' | 'unknown';

/** What the checks may ask about the files of the tree. */
export interface TreePathLookup {
  status(rel: string): PathStatus;
  /** Files of the tree whose path equals `rel` but for letter case (a Windows-authored path on a Linux runner). */
  caseVariants(rel: string): string[];
}

export interface ListingInfo {
  /** False when the walk stopped early or the root itself could not be listed. */
  readonly complete: boolean;
  /** Directories whose content is not listed (symbolic links to directories, unreadable directories). */
  readonly unlistedDirs?: readonly string[];
  /** The review config's `ignore` globs: ignored paths were never looked at. */
  readonly ignore?: (rel: string) => boolean;
}

export class KnownPaths implements TreePathLookup {
  private readonly paths = new Set<string>();
  private listing: ListingInfo = { complete: false };
  private derived: { readonly lower: Map<string, string[]>; readonly dirs: Set<string> } | undefined;
  /** Bumped on every change of the set or of the listing, so an analysis can tell whether its answers still hold. */
  version = 0;

  /** Until a listing is declared (a walk of the disk, a git tree), nothing is reported absent. */
  setListing(info: ListingInfo): void {
    this.listing = info;
    this.changed();
  }

  /** Directories found later whose content is not listed (a folder added after load with a link or an unreadable part). */
  addUnlisted(dirs: readonly string[]): void {
    this.listing = { ...this.listing, unlistedDirs: [...(this.listing.unlistedDirs ?? []), ...dirs] };
    this.changed();
  }

  has(rel: string): boolean {
    return this.paths.has(rel);
  }

  get size(): number {
    return this.paths.size;
  }

  add(rel: string): void {
    if (this.paths.has(rel)) return;
    this.paths.add(rel);
    this.changed();
  }

  /**
   * Removes a file; with `withContents`, when `rel` is not a file, every file below it (a deleted folder: one
   * walk of the set, on that event only). Returns the removed paths.
   */
  remove(rel: string, withContents = false): string[] {
    if (this.paths.delete(rel)) {
      this.changed();
      return [rel];
    }
    if (!withContents) return [];
    const prefix = `${rel}/`;
    const gone = [...this.paths].filter((p) => p.startsWith(prefix));
    for (const p of gone) this.paths.delete(p);
    if (gone.length > 0) this.changed();
    return gone;
  }

  status(rel: string): PathStatus {
    if (this.paths.has(rel)) return 'present';
    const { complete, unlistedDirs, ignore } = this.listing;
    if (!complete) return 'unknown';
    const parts = rel.split('/');
    // A directory named like a file: Terraform fails there too, but not with "no file exists".
    if (this.index().dirs.has(rel)) return 'unknown';
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('/');
      // Paths the walk skips (.git, node_modules, .terraform, the review config's ignore globs) were never seen.
      if ((i < parts.length - 1 && SKIPPED_DIRS.has(parts[i]!)) || ignore?.(prefix)) return 'unknown';
    }
    if (unlistedDirs?.some((d) => rel.startsWith(`${d}/`))) return 'unknown';
    return 'absent';
  }

  caseVariants(rel: string): string[] {
    return (this.index().lower.get(rel.toLowerCase()) ?? []).filter((p) => p !== rel);
  }

  private index(): { readonly lower: Map<string, string[]>; readonly dirs: Set<string> } {
    if (this.derived) return this.derived;
    const lower = new Map<string, string[]>();
    const dirs = new Set<string>();
    for (const p of this.paths) {
      const k = p.toLowerCase();
      const list = lower.get(k);
      if (list) list.push(p);
      else lower.set(k, [p]);
      for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
        const d = p.slice(0, i);
        if (dirs.has(d)) break;
        dirs.add(d);
      }
    }
    this.derived = { lower, dirs };
    return this.derived;
  }

  private changed(): void {
    this.version++;
    this.derived = undefined;
  }
}
