// What a bound listener advertises: the sent-by of Via headers and the
// host:port of Contact headers built by the UA core.
import type { ListenerConfig, ListenerInfo } from './types.js';

export function listenerInfo(config: ListenerConfig, address: string, port: number, family: 4 | 6): ListenerInfo {
  const info: ListenerInfo = {
    name: config.name,
    transport: config.transport,
    address,
    port,
    family,
    sentByAddress: config.publicAddress ?? address,
    sentByPort: config.publicPort ?? port,
  };
  if (config.publicAddress !== undefined) info.publicAddress = config.publicAddress;
  if (config.publicPort !== undefined) info.publicPort = config.publicPort;
  return Object.freeze(info);
}
