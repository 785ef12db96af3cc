import type { IndicatorNode, IndicatorTree } from './indicator-tree';

const assessed = (code: string, name: string, weight: number): IndicatorNode => ({
  code,
  name,
  weight,
  kind: 'assessed',
});

const branch = (
  code: string,
  name: string,
  weight: number,
  children: IndicatorNode[],
): IndicatorNode => ({ code, name, weight, children });

// Seed 000 (省市政府政务微信服务能力指数) names the five sub-capabilities but prints no weights,
// and the σ of its composite formulas were lost with the formula images (reference §6.2): equal
// weights until an edition states its own. 信息服务 stays one assessed leaf here; an edition may
// split it into measured leaves (update_frequency, timeliness) once it has weights for them.
export const SEED000_FIVE_CAPABILITIES: IndicatorTree = {
  code: 'seed000',
  name: '政务微信服务能力指数',
  children: [
    assessed('information', '信息服务能力', 0.2),
    assessed('transaction', '事务服务能力', 0.2),
    assessed('participation', '参与服务能力', 0.2),
    assessed('provision', '服务提供能力', 0.2),
    { code: 'influence', name: '微信影响力', weight: 0.2, kind: 'measured', source: 'influence' },
  ],
};

// Seed 001 表1-1 (中国地方政府互联网服务能力评价指标体系, 2019), weights as printed. Every leaf is
// assessed: the report's crawls and manual checks are evaluator input to this system.
export const SEED001_THREE_LEVEL: IndicatorTree = {
  code: 'seed001',
  name: '政府互联网服务能力',
  children: [
    branch('supply', '服务供给能力', 0.4, [
      branch('catalogue', '目录覆盖能力', 0.3, [
        assessed('responsibility_list', '责任清单', 0.25),
        assessed('power_list', '权力清单', 0.25),
        assessed('disclosure_catalogue', '政府信息公开目录', 0.25),
        assessed('public_service_list', '公共服务清单', 0.25),
      ]),
      branch('integration', '应用整合能力', 0.3, [
        assessed('platform_integration', '平台整合能力', 0.4),
        assessed('platform_application', '平台应用能力', 0.45),
        assessed('open_data', '数据开放', 0.15),
      ]),
      branch('through_service', '服务贯通能力', 0.4, [
        assessed('social_security', '社保领域', 0.12),
        assessed('education', '教育领域', 0.08),
        assessed('medical', '医疗领域', 0.12),
        assessed('employment', '就业领域', 0.08),
        assessed('housing', '住房领域', 0.08),
        assessed('transport', '交通领域', 0.08),
        assessed('business_registration', '企业开办变更', 0.16),
        assessed('business_tax', '企业经营纳税', 0.14),
        assessed('entrepreneurship', '创新创业领域', 0.14),
      ]),
    ]),
    branch('response', '服务响应能力', 0.4, [
      branch('request_intake', '服务诉求受理能力', 0.3, [
        assessed('interaction_intake', '互动诉求受理能力', 0.5),
        assessed('affairs_intake', '办事诉求受理能力', 0.5),
      ]),
      branch('affairs_response', '办事诉求响应能力', 0.35, [
        assessed('online_level_1', '网上政务服务办理一级标准', 0.2),
        assessed('online_level_2', '网上政务服务办理二级标准', 0.2),
        assessed('online_level_3', '网上政务服务办理三级标准', 0.3),
        assessed('online_level_4', '网上政务服务办理四级标准', 0.3),
      ]),
      branch('interaction_feedback', '互动诉求反馈能力', 0.35, [
        assessed('reply_response', '诉求回复响应能力', 0.4),
        assessed('reply_application', '诉求回复应用能力', 0.3),
        assessed('active_sensing', '主动感知能力', 0.3),
      ]),
    ]),
    branch('smart', '服务智慧能力', 0.2, [
      branch('adaptation', '应用适配能力', 0.4, [
        assessed('function_adaptation', '功能适配度', 0.65),
        assessed('application_extension', '应用拓展度', 0.35),
      ]),
      branch('smart_interaction', '智能交互能力', 0.4, [
        assessed('smart_search', '智能搜索能力', 0.5),
        assessed('smart_qa', '智能问答能力', 0.5),
      ]),
      branch('personalisation', '个性化服务能力', 0.2, [
        assessed('customised_service', '定制服务', 0.75),
        assessed('smart_push', '智能推送', 0.25),
      ]),
    ]),
  ],
};

export const INDICATOR_PRESETS = {
  'seed000-five-capabilities': SEED000_FIVE_CAPABILITIES,
  'seed001-three-level': SEED001_THREE_LEVEL,
} as const satisfies Record<string, IndicatorTree>;

export type IndicatorPresetCode = keyof typeof INDICATOR_PRESETS;
