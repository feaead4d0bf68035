// The SIP message layer's public surface, for layers above (transport, transactions, UA core, proxy).

export * from './sip-message.js';
export * from './sip-parse-error.js';
export * from './message-limits.js';
export { parseSipMessage } from './parse-message.js';
export { serializeSipMessage } from './serialize-message.js';
export * from './headers/char-classes.js';
export * from './headers/header-params.js';
export * from './headers/header-list.js';
export * from './headers/sip-uri.js';
export * from './headers/name-addr.js';
export * from './headers/via.js';
export * from './headers/cseq.js';
export * from './headers/content-type.js';
export * from './headers/rack.js';
export * from './headers/session-expires.js';
