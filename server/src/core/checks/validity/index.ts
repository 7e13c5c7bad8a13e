import type { Check } from '../check';
import { unknownConfigKey } from './unknownConfigKey';
import { invalidConfigValue } from './invalidConfigValue';
import { serverOnlyKey } from './serverOnlyKey';
import { duplicateConfigKey } from './duplicateConfigKey';
import { hclSyntax } from './hclSyntax';
import { templateFileMissing } from './templateFileMissing';
import { packerFileMissing } from './packerFileMissing';
import { configKeyVersion } from './configKeyVersion';
import { sedReplaceCheck } from './sedReplace';
import { agentModeMissing } from './agentModeMissing';

export const VALIDITY_CHECKS: readonly Check[] = [
  hclSyntax,
  unknownConfigKey,
  invalidConfigValue,
  serverOnlyKey,
  duplicateConfigKey,
  templateFileMissing,
  packerFileMissing,
  configKeyVersion,
  sedReplaceCheck,
  agentModeMissing,
];

export { officialSyntaxFindings } from './officialSyntax';
