import type { Check } from '../check';
import { hclEscapeCheck } from './hclEscape';
import { encodingCheck } from './encoding';
import { psReplaceCheck } from './psReplace';
import { osSettingCheck } from './osSetting';
import { templateCheck } from './template';
import { psExpansionCheck } from './psExpansion';
import { psConfigAppendCheck } from './psConfigAppend';
import { psCommandStringCheck } from './psCommandString';
import { psNativeTrailingBackslashCheck } from './psNativeTrailingBackslash';

export const WINDOWS_CHECKS: readonly Check[] = [
  hclEscapeCheck,
  encodingCheck,
  psReplaceCheck,
  psExpansionCheck,
  psConfigAppendCheck,
  psCommandStringCheck,
  psNativeTrailingBackslashCheck,
  osSettingCheck,
  templateCheck,
];
