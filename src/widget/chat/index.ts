/** The chat's chunk (#11): Chaport's adapter, loaded when the visitor picks the chat or has a conversation going on. */
export { createChat } from './chat.ts';
