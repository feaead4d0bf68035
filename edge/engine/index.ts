// The SIP engine's public surface: what `vpop engine`, `vpop up` and tests use.
export { SipEngine, type SipEngineOptions, type SipEngineControlOptions } from './engine.js';
export { EngineMetrics, serveMetrics, type MetricsEndpoint } from './engine-metrics.js';
export {
  optionsFromFlags, optionsFromPop, parseContactFlag, parseScrapePort, EngineOptionsError, DEFAULT_ALLOW,
  type DrachtioFlags, type EngineRunOptions,
} from './engine-options.js';
export { ControlServer, ENGINE_PROTOCOL_VERSION, type ControlHandler, type ControlServerOptions } from './control/control-server.js';
export { UserAgentCore } from './user-agent-core/user-agent-core.js';
export { Dialog, DialogState, drachtioDialogId } from './dialogs/dialog.js';
