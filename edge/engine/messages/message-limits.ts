// Hard limits applied while parsing, so one message cannot make the engine
// allocate or loop without bound.

export interface MessageLimits {
  /** Whole message (start line, headers and body), bytes. */
  maxMessageBytes: number;
  /** Header fields (continuation lines do not count). */
  maxHeaders: number;
  /** One line of the start line or header section, characters. */
  maxLineBytes: number;
}

export const DEFAULT_MESSAGE_LIMITS: Readonly<MessageLimits> = Object.freeze({
  maxMessageBytes: 65535,
  maxHeaders: 128,
  maxLineBytes: 8192,
});
