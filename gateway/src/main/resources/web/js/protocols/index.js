// The five protocols a Parley node speaks, one adapter module each. An adapter is everything a
// page needs to know about one protocol, so the chat page itself is protocol-independent:
//
//   name, summary          'events', 'named events with args, support conversations'
//   oneChatPerSocket       true where a socket is bound to one chat (pair, feed): the page
//                          reconnects when another chat is selected
//   features               which frames exist: {history, typing, read, presence}
//   addressable(chat)      null when this protocol can use the chat, else why it cannot
//   open({user, token, chat, resumeAfter})
//                          a session for one socket, holding what the socket needs to remember
//                          (request ids, sends waiting for their echo). A session has:
//     path                 the URL path and query to open
//     subprotocols(token)  the handshake's credential (undefined: none, as in pair)
//     opened()             frames to send as soon as the socket is open
//     send({chat, text, attachmentId, clientMessageId})   a message
//     history(chat, after) the newest page (after null) or the messages after a message;
//                          null where the protocol resumes otherwise (feed: in the URL)
//     typing(chat), read(chat, messageId), presence(userIds)   null where the protocol has none
//     refresh(token)       hands the socket a fresh token before its own expires
//     parse(frame)         the frame as events of one shape (see shape.js)
import events from './events.js';
import typed from './typed.js';
import actions from './actions.js';
import pair from './pair.js';
import feed from './feed.js';

export const protocols = { events, typed, actions, pair, feed };

export function protocol(name) {
  const found = protocols[name];
  if (!found) throw new Error(`no protocol "${name}"; there are ${Object.keys(protocols).join(', ')}`);
  return found;
}
