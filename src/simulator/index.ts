export { startSimulator, type RunningSimulator, type SimulatorOptions } from './server';
export { SimPopulation, type SimAccount, type SimPopulationOptions } from './population';
export { FaultController, FAULT_KINDS, type Fault, type FaultKind, type FaultSpec } from './faults';
export { CallLog, hashToken, type CallQuery, type CallRecord } from './call-log';
export {
  wechatTruth,
  weiboTruth,
  wechatCountersAt,
  weiboCountersAt,
  bizSummaryOn,
  type WechatTruth,
  type WeiboTruth,
} from './truth';
export { followersOn, growth, SATURATION_DAYS } from './activity';
export { weiboCreatedAt } from './dates';
