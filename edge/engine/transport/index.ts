// The transport layer's public surface, for the UA core and the engine's startup.
export { TransportLayer, type TransportLayerOptions } from './transport-layer.js';
export { StreamFramer, StreamFramingError, type StreamFramingFailure, type StreamFramerLimits } from './stream-framer.js';
export { TlsConfigError, classifyTlsFailure, type TlsFailureReason } from './tls-settings.js';
export { normalizePeerAddress, addressFamily, connectionKey } from './peer-address.js';
export * from './types.js';
