// Adapts the engine's TransactionLayer to the proxy's ProxyTransactionPort.

import type { TransactionLayer } from '../transactions/transaction-layer.js';
import { InviteClientTransaction } from '../transactions/invite-client-transaction.js';
import type { ProxyTransactionPort } from './proxy-ports.js';

// Responses to our CANCELs carry nothing the proxy needs (§16.10: the 487 comes on the INVITE).
const IGNORE_CANCEL_RESPONSES = { onResponse: (): void => {} };

export function transactionLayerPort(layer: TransactionLayer): ProxyTransactionPort {
  return {
    sendRequest(request, destination, listener) {
      const transaction = layer.sendRequest(request, destination, {
        onResponse: (response) => listener.onResponse(response),
        onTimeout: () => listener.onTimeout(),
        onTransportError: (_transaction, error) => listener.onTransportError(error),
      });
      return {
        cancel: () => {
          if (transaction instanceof InviteClientTransaction) layer.cancel(transaction, IGNORE_CANCEL_RESPONSES);
        },
      };
    },
  };
}
