/**
 * The settings that apply to one document: fetched from the client (workspace/configuration with
 * the document as scope, when the client can), cached until the next didChangeConfiguration, and
 * resolved: `kernelVersion: auto` becomes the version of the kernel tree the file lives in, and the
 * `exclude` globs decide whether the file is analysed at all.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatVersion, type KernelVersion, parseKernelVersion } from '../core/index';
import { globMatcher } from '../batch/files';
import { detectKernelVersion } from '../batch/kernelTree';
import { parseSettings, type PinscopeSettings } from './settings';

export interface ResolvedSettings {
  readonly settings: PinscopeSettings;
  readonly kernelVersion: KernelVersion;
  /** "6.12" */
  readonly kernelVersionText: string;
  /** Where the version came from: a Makefile, the setting, or the default. */
  readonly kernelVersionSource: string;
  readonly excluded: boolean;
}

/** The file-system path of a `file:` URI, or null for other schemes (untitled, vscode-vfs, …). */
export function fsPathOf(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

export interface ConfigurationSource {
  /** The raw `pinscope` section for a scope, or undefined when the client cannot be asked. */
  fetch(scopeUri: string | undefined): Promise<unknown>;
  /** Workspace folder paths, to make exclude globs relative. */
  folders(): readonly string[];
  log(message: string): void;
}

export class Configuration {
  private readonly cache = new Map<string, Promise<ResolvedSettings>>();
  private readonly versionByDir = new Map<string, { version: KernelVersion; source: string | null }>();
  /** Settings pushed by didChangeConfiguration or initializationOptions (clients without pull). */
  private pushed: unknown = undefined;
  private readonly reported = new Set<string>();

  /** False for clients without workspace/configuration: settings are then pushed only. */
  pullEnabled = true;

  constructor(private readonly source: ConfigurationSource) {}

  setPushed(raw: unknown): void {
    this.pushed = raw;
  }

  invalidate(): void {
    this.cache.clear();
    this.versionByDir.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  /** Settings for a document (a `file:` URI gets its kernel version from the tree it is in). */
  for(uri: string | undefined): Promise<ResolvedSettings> {
    return this.cached(uri ?? '', () => this.load(uri, uri ? fsPathOf(uri) : null, null));
  }

  /** Settings for a folder (Lint Workspace): scoped to the folder, kernel version from the folder up. */
  forFolder(folder: string): Promise<ResolvedSettings> {
    return this.cached(`folder:${folder}`, () => this.load(pathToFileURL(folder).toString(), null, folder));
  }

  private cached(key: string, load: () => Promise<ResolvedSettings>): Promise<ResolvedSettings> {
    let entry = this.cache.get(key);
    if (!entry) {
      entry = load();
      this.cache.set(key, entry);
      // A failed load must not stick.
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }

  private async load(uri: string | undefined, file: string | null, folder: string | null): Promise<ResolvedSettings> {
    let raw: unknown = this.pushed;
    if (this.pullEnabled) {
      try {
        const pulled = await this.source.fetch(uri);
        if (pulled !== undefined && pulled !== null) raw = pulled;
      } catch (e) {
        this.source.log(
          `workspace/configuration failed (${e instanceof Error ? e.message : String(e)}); using defaults`,
        );
      }
    }
    const { settings, problems } = parseSettings(raw);
    for (const p of problems) {
      if (!this.reported.has(p)) {
        this.reported.add(p);
        this.source.log(p);
      }
    }
    return this.resolve(settings, file, folder);
  }

  /** `file`: the document's path (null for other schemes); `folder`: resolve for a folder instead. */
  resolve(settings: PinscopeSettings, file: string | null, folder: string | null = null): ResolvedSettings {
    let kernelVersion: KernelVersion;
    let kernelVersionSource: string;
    const explicit = settings.kernelVersion === 'auto' ? null : parseKernelVersion(settings.kernelVersion);
    if (explicit) {
      kernelVersion = explicit;
      kernelVersionSource = 'the pinscope.kernelVersion setting';
    } else {
      const start = folder ?? (file ? path.dirname(file) : this.source.folders()[0]);
      const key = start ?? '';
      let detected = this.versionByDir.get(key);
      if (!detected) {
        detected = detectKernelVersion(start);
        this.versionByDir.set(key, detected);
      }
      kernelVersion = detected.version;
      kernelVersionSource = detected.source ?? 'the default (no kernel Makefile above the file)';
    }
    return {
      settings,
      kernelVersion,
      kernelVersionText: formatVersion(kernelVersion),
      kernelVersionSource,
      excluded: file !== null && isExcluded(file, settings.exclude, this.source.folders()),
    };
  }
}

/** Whether `file` matches one of the globs, relative to its workspace folder or as an absolute path. */
function isExcluded(file: string, globs: readonly string[], folders: readonly string[]): boolean {
  if (globs.length === 0) return false;
  const candidates = [file];
  for (const folder of folders) {
    const rel = path.relative(folder, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) candidates.push(rel);
  }
  return globs.some((glob) => {
    const matches = globMatcher(glob);
    return candidates.some((c) => matches(c));
  });
}
