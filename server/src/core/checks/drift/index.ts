import type { Check } from '../check';
import { consulEncryptDrift, nomadEncryptPlacement } from './gossip';
import { consulAddressTls, tlsFilesMissing, tlsHttpDrift, tlsRpcDrift } from './tls';
import { commaJoinedList, joinMethodDrift, providerInClientServers } from './servers';
import { aclEnabledDrift, consulAgentTokenMissing, managementTokenOnClient, nomadConsulTokenMissing, tokenOneSide } from './acl';
import { placeholderLeft } from './placeholderLeft';
import { datacenterMismatch, nomadRegionMismatch } from './regionDatacenter';
import { hostUuidIdentity } from './identity';
import { vaultConsulDns } from './vaultDns';
import { consulAgentTls } from './consulTls';
import { bootstrapExpectColocated, bootstrapExpectCount } from './bootstrapExpect';
import { autoJoinNoInstance } from './autoJoinTags';

export const DRIFT_CHECKS: readonly Check[] = [
  consulEncryptDrift,
  nomadEncryptPlacement,
  tlsRpcDrift,
  tlsHttpDrift,
  tlsFilesMissing,
  consulAddressTls,
  providerInClientServers,
  commaJoinedList,
  joinMethodDrift,
  autoJoinNoInstance,
  bootstrapExpectCount,
  bootstrapExpectColocated,
  aclEnabledDrift,
  managementTokenOnClient,
  tokenOneSide,
  consulAgentTokenMissing,
  nomadConsulTokenMissing,
  placeholderLeft,
  nomadRegionMismatch,
  datacenterMismatch,
  hostUuidIdentity,
  vaultConsulDns,
  consulAgentTls,
];
