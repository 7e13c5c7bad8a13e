import type { Check } from '../check';
import { imageVersionSkew } from './imageVersionSkew';
import { packerVersionEnvMissing } from './packerVersionEnvMissing';
import { imageBakedAgentState } from './imageBakedAgentState';
import { serviceConfigPathMismatch } from './serviceConfigPathMismatch';
import { serviceConsulDependency } from './serviceConsulDependency';
import { imageTagVersionVariable } from './imageTagVersionVariable';
import { imageBakedAgentConfig } from './imageBakedAgentConfig';
import { imageEc2launchNotReset } from './imageEc2launchNotReset';
import { userDataScriptPath } from './userDataScriptPath';
import { serviceFlagOverride } from './serviceFlagOverride';
import { serviceAgentFlag } from './serviceAgentFlag';
import { serviceUnitExpansion } from './serviceUnitExpansion';
import { imageBakedSecret } from './imageBakedSecret';
import { uploadedScriptNotRun } from './uploadedScriptNotRun';
import { dataDirTemporary } from './dataDirTemporary';
import { agentNotAService } from './agentNotAService';
import { imageBakedAgentAddress } from './imageBakedAgentAddress';
import { tlsCaPerImage } from './tlsCaPerImage';
import { tlsCaPerInstance } from './tlsCaPerInstance';

export const IMAGE_CHECKS: readonly Check[] = [
  imageVersionSkew,
  packerVersionEnvMissing,
  imageBakedAgentState,
  serviceConfigPathMismatch,
  serviceConsulDependency,
  imageTagVersionVariable,
  imageBakedAgentConfig,
  imageEc2launchNotReset,
  userDataScriptPath,
  serviceFlagOverride,
  serviceAgentFlag,
  serviceUnitExpansion,
  imageBakedSecret,
  uploadedScriptNotRun,
  dataDirTemporary,
  agentNotAService,
  imageBakedAgentAddress,
  tlsCaPerImage,
  tlsCaPerInstance,
];
