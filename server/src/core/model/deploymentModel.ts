import type { ParsedAgentConfig } from '../agent/configDoc';
import type { Role } from '../agent/roles';
import type { ScriptFacts } from '../scripts/scriptModel';
import type { TerraformModel } from '../terraform/model';
import type { ParsedHclFile } from '../workspace/parsedFiles';
import type { SourceText } from '../text/sourceText';
import type { MappedText } from '../text/mappedText';
import type { TemplateCall } from '../terraform/model';
import type { ResolvedValue } from '../types';
import type { ReviewConfig } from '../reviewConfig';
import type { TextEncodingName } from '../text/decode';
import type { TreePathLookup } from '../workspace/knownPaths';
import type { ComposeFileParse } from '../parsers/compose';

export interface TemplateRender {
  readonly call: TemplateCall;
  readonly templateFile: string;
  readonly text: MappedText;
  readonly vars: ReadonlyMap<string, ResolvedValue>;
}

/** A Docker Compose file of the tree, parsed, with the `.env` file of its directory (Compose's project directory). */
export interface ComposeFileFacts {
  readonly file: string;
  readonly parse: ComposeFileParse;
  /** The `.env` file next to it: its path and variables; undefined when there is none. */
  readonly env: { readonly file: string; readonly vars: ReadonlyMap<string, string> } | undefined;
}

/** Everything the checks can look at: the whole deployment, resolved. */
export interface DeploymentModel {
  readonly root: string;
  readonly files: ReadonlyMap<string, SourceText>;
  readonly encodings: ReadonlyMap<string, { readonly encoding: TextEncodingName; readonly invalidUtf8: boolean }>;
  readonly terraformFiles: readonly ParsedHclFile[];
  readonly tfvarsFiles: readonly ParsedHclFile[];
  readonly packerFiles: readonly ParsedHclFile[];
  /** Every other HCL/JSON file of the tree (agent configs and templates among them). */
  readonly otherHclFiles: readonly ParsedHclFile[];
  readonly terraform: TerraformModel;
  readonly renders: readonly TemplateRender[];
  readonly scripts: readonly ScriptFacts[];
  readonly configs: readonly ParsedAgentConfig[];
  readonly roles: readonly Role[];
  readonly reviewConfig: ReviewConfig;
  /** Docker Compose files (their services' command lines are read as agent launch lines: checks/image/services.ts). */
  readonly composeFiles?: readonly ComposeFileFacts[];
  /** Which files exist in the tree, read or not; undefined when the tree's listing is not known. */
  readonly paths?: TreePathLookup;
  /** True when this model is one deployment unit of several: Terraform resources of the tree may lie outside it. */
  readonly partOfTree?: boolean;
}
