// `lore redteam`: probe families, the worst-case obedient model, the runner and its HTML report.
export { PROBE_FAMILIES, PROBES, PLANTED_DOCUMENTS, PLANTED_PII, CONTROL_QUESTIONS, type Probe, type ProbeFamily, type PlantedDocument, type SuccessDetector } from './probes.js';
export { createObedientModel, obedientReply } from './obedient-model.js';
export { runRedteam, attackSucceeded, type RedteamOptions, type RedteamReport, type FamilyResult, type ProbeResult } from './run-redteam.js';
export { renderRedteamHtml } from './redteam-html.js';
