import type { Logger } from 'pino';
import { PolicyError } from '../core/errors.js';
import type { RuleVersion, RuleVersionStore } from '../storage/admin-ports.js';
import type { RuleSet } from './rules.js';

export interface RulesHolderOptions {
  store: RuleVersionStore;
  /** Parses and validates rules YAML (PolicyError RULES_INVALID). */
  parse(yaml: string): RuleSet;
  /**
   * The rules file when it is the source (GitOps: API writes are refused),
   * or undefined when the API is (the built-in rules until a first PUT).
   */
  file: { read(): string } | undefined;
  /** Called after this process put new rules in force (re-judge everything). */
  onChange(cause: string): Promise<void>;
  logger: Logger;
}

/** A PUT while the rules file is the source (answered 409). */
export class RulesFileMode extends Error {}

/**
 * The trust rules in force, and their versions. In file mode the file is
 * the source: `refresh()` (polled) picks up a change, validates it, stores
 * a version and re-judges; an invalid file is logged and the rules in force
 * stay. In API mode `put()` does the same for a YAML body, and `refresh()`
 * adopts a version another replica stored. A bad rule never replaces a
 * good one.
 */
export class RulesHolder {
  readonly #o: RulesHolderOptions;
  #rules: RuleSet;
  #version: RuleVersion | undefined;
  #yaml: string;

  constructor(options: RulesHolderOptions, initial: RuleSet, yaml: string) {
    this.#o = options;
    this.#rules = initial;
    this.#yaml = yaml;
  }

  get mode(): 'file' | 'api' {
    return this.#o.file ? 'file' : 'api';
  }

  current(): RuleSet {
    return this.#rules;
  }

  /** Validates rules YAML as a put would, without putting it in force. */
  parse(yaml: string): RuleSet {
    return this.#o.parse(yaml);
  }

  /** The version in force (after init). */
  info(): RuleVersion | undefined {
    return this.#version;
  }

  /** Records the rules in force as a version (if new), or adopts the stored API version. */
  async init(): Promise<void> {
    const latest = await this.#o.store.latest();
    if (this.mode === 'api' && latest?.source === 'api') {
      this.#adopt(latest);
      return;
    }
    await this.#record(this.#yaml, 'file', 'customs', latest);
  }

  /** Puts API-given rules in force; throws RULES_INVALID or RulesFileMode. */
  async put(yaml: string, actor: string): Promise<RuleVersion> {
    if (this.mode === 'file')
      throw new RulesFileMode(
        'the rules come from rules.file (GitOps): change the file instead',
      );
    const version = await this.#record(yaml, 'api', actor, this.#version);
    await this.#o.onChange(`rules version ${version.version} by ${actor}`);
    return version;
  }

  /** Picks up a changed rules file, or a version another replica stored. */
  async refresh(): Promise<void> {
    if (!this.#o.file) {
      const latest = await this.#o.store.latest();
      if (latest && latest.version !== this.#version?.version)
        this.#adopt(latest);
      return;
    }
    const yaml = this.#o.file.read();
    if (yaml === this.#yaml) return;
    try {
      const version = await this.#record(
        yaml,
        'file',
        'rules-file',
        this.#version,
      );
      await this.#o.onChange(`rules file changed (version ${version.version})`);
    } catch (err: unknown) {
      this.#yaml = yaml; // reported once, until the file changes again
      this.#o.logger.error(
        { err },
        'invalid rules file: the rules in force stay',
      );
    }
  }

  async #record(
    yaml: string,
    source: RuleVersion['source'],
    actor: string,
    latest: RuleVersion | undefined,
  ): Promise<RuleVersion> {
    const rules = this.#o.parse(yaml);
    const version =
      latest?.contentHash === rules.version && latest.source === source
        ? latest
        : await this.#o.store.add({
            contentHash: rules.version,
            source,
            yaml,
            createdBy: actor,
          });
    this.#rules = rules;
    this.#yaml = yaml;
    this.#version = version;
    return version;
  }

  #adopt(version: RuleVersion): void {
    try {
      this.#rules = this.#o.parse(version.yaml);
      this.#yaml = version.yaml;
      this.#version = version;
    } catch (err: unknown) {
      // Key files named by stored rules may be missing on this host.
      this.#o.logger.error(
        { err, version: version.version },
        'invalid stored rules: the rules in force stay',
      );
    }
  }
}

/** True for the error a bad rules document raises. */
export function isRulesInvalid(err: unknown): err is PolicyError {
  return err instanceof PolicyError && err.code === 'RULES_INVALID';
}
