// The part of js-yaml 4 (https://github.com/nodeca/js-yaml, README "API") the compose reader uses. The package ships
// no types and @types/js-yaml is not a dependency: this declares only `load`.
declare module 'js-yaml' {
  export interface LoadOptions {
    /** Shown in error messages. */
    filename?: string;
    /** Nesting limit for collections (default 100). */
    maxDepth?: number;
  }
  /** Parses one YAML document; throws a YAMLException on malformed input or more than one document. */
  export function load(text: string, options?: LoadOptions): unknown;
}
