export { costOfCall, isLocalModel, type CallCost, type CostOfCallOptions } from './cost-of-call.js';
export { DEFAULT_PRICES, findPrice, loadPriceTable, PRICES_CHECKED, type ModelPrice, type PriceTable } from './price-table.js';
