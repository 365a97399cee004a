export { AdditiveAttention, type AdditiveAttentionArgs } from './additive-attention';
export { Attention, type AttentionArgs, type DotAttentionCallArgs } from './attention';
export { GroupedQueryAttention, type GroupedQueryAttentionArgs } from './grouped-query-attention';
export { MultiHeadAttention, type MultiHeadAttentionArgs, type AttentionCallArgs } from './multi-head-attention';
