/** How each SMTP reply or connection failure becomes an Outcome (the table in ARCHITECTURE.md, "Sending semantics"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from '../../src/send/transport/message-transport.ts';
import { classify, type SmtpError } from '../../src/send/transport/smtp-reply.ts';

/** An error the way Nodemailer's `_formatError` shapes it. */
function replied(code: string, command: string, response: string): SmtpError {
  return { code, command, response, responseCode: Number(response.slice(0, 3)), message: `${command} failed: ${response}` };
}

function rcpt(response: string): SmtpError {
  const rejected = replied('EENVELOPE', 'RCPT TO', response);
  return { ...replied('EENVELOPE', 'RCPT TO', response), message: "Can't send mail - all recipients were rejected", rejectedErrors: [rejected] };
}

function outcome(error: SmtpError, transmitted = false): Outcome {
  return classify({ ok: false, error }, transmitted);
}

test('reply: a 250 to the message is sent, with the reply trimmed', () => {
  assert.deepEqual(classify({ ok: true, response: '250 2.0.0 OK queued as 4Xz\r\n' }, true), { kind: 'sent', reply: '250 2.0.0 OK queued as 4Xz' });
});

test('reply: 4xx anywhere is retry; 421, 450, 451 and 452 ask to slow down', () => {
  assert.deepEqual(outcome(replied('EPROTOCOL', 'CONN', '421 mx.example.net busy')), { kind: 'retry', reply: '421 mx.example.net busy', slowDown: true });
  assert.deepEqual(outcome(replied('EENVELOPE', 'MAIL FROM', '451 4.3.0 try later')), { kind: 'retry', reply: '451 4.3.0 try later', slowDown: true });
  assert.deepEqual(outcome(rcpt('450 4.2.1 mailbox busy')), { kind: 'retry', reply: '450 4.2.1 mailbox busy', slowDown: true });
  assert.deepEqual(outcome(rcpt('452 4.5.3 too many recipients')), { kind: 'retry', reply: '452 4.5.3 too many recipients', slowDown: true });
  assert.deepEqual(outcome(replied('EENVELOPE', 'DATA', '451 4.3.0 no')), { kind: 'retry', reply: '451 4.3.0 no', slowDown: true });
  assert.deepEqual(outcome(replied('EMESSAGE', 'DATA', '451 4.7.1 greylisted'), true), { kind: 'retry', reply: '451 4.7.1 greylisted', slowDown: true });
  assert.deepEqual(outcome(replied('ECONNECTION', 'CONN', '421 4.4.2 closing'), true), { kind: 'retry', reply: '421 4.4.2 closing', slowDown: true });
  assert.deepEqual(outcome(replied('EAUTH', 'AUTH PLAIN', '454 4.7.0 temporary authentication failure')), {
    kind: 'retry',
    reply: '454 4.7.0 temporary authentication failure',
    slowDown: false,
  });
});

test('reply: a connection refused, reset or timed out before the final dot is retry with slowDown', () => {
  const refused = outcome({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN', message: 'connect ECONNREFUSED 127.0.0.1:25' });
  assert.deepEqual(refused, { kind: 'retry', reply: 'connect ECONNREFUSED 127.0.0.1:25', slowDown: true });
  assert.deepEqual(outcome({ code: 'ETIMEDOUT', command: 'CONN', message: 'Greeting never received' }), { kind: 'retry', reply: 'ETIMEDOUT: Greeting never received', slowDown: true });
  assert.equal(outcome({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }).kind, 'retry');
  assert.equal(outcome({ code: 'EDNS', originalCode: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN smtp.example.org' }).kind, 'retry');
});

test('reply: a connection lost or a timeout after the final dot is in_doubt', () => {
  const lost = outcome({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, true);
  assert.deepEqual(lost, { kind: 'in_doubt', reply: 'no reply after the message was transmitted (ECONNECTION: Connection closed unexpectedly)' });
  assert.equal(outcome({ code: 'ETIMEDOUT', command: 'CONN', message: 'Timeout' }, true).kind, 'in_doubt');
  assert.equal(outcome({ code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN', message: 'read ECONNRESET' }, true).kind, 'in_doubt');
});

test('reply: 550/551/553 to RCPT TO with 5.1.x or no enhanced code is a bounce', () => {
  for (const response of ['550 5.1.1 <x@y>: user unknown', '550 no such user here', '551 5.1.6 user has moved', '553 5.1.3 bad address syntax', '550 5.1.2 host unknown', '550 5.1.10 null MX']) {
    assert.deepEqual(outcome(rcpt(response)), { kind: 'failed', reply: response, bounce: true }, response);
  }
});

test('reply: other 5xx to RCPT TO fail the message without a bounce', () => {
  for (const response of ['550 5.7.1 relaying denied', '552 5.2.2 mailbox full', '550 5.2.1 mailbox disabled', '554 5.1.1 rejected', '550 5.1.8 bad sender domain', '550-5.7.26 unauthenticated\n550 5.7.26 see https://x']) {
    assert.deepEqual(outcome(rcpt(response)), { kind: 'failed', reply: response, bounce: false }, response);
  }
});

test('reply: 5xx to DATA or to the message fails it without a bounce', () => {
  assert.deepEqual(outcome(replied('EMESSAGE', 'DATA', '552 5.3.4 message too big'), true), { kind: 'failed', reply: '552 5.3.4 message too big', bounce: false });
  assert.deepEqual(outcome(replied('EMESSAGE', 'DATA', '554 5.7.1 rejected content'), true), { kind: 'failed', reply: '554 5.7.1 rejected content', bounce: false });
  assert.deepEqual(outcome(replied('EENVELOPE', 'DATA', '554 5.5.1 no valid recipients')), { kind: 'failed', reply: '554 5.5.1 no valid recipients', bounce: false });
  assert.deepEqual(outcome(replied('ECONNECTION', 'CONN', '554 5.7.1 spam'), true), { kind: 'failed', reply: '554 5.7.1 spam', bounce: false });
});

test('reply: credentials, MAIL FROM, the greeting and TLS stop the run', () => {
  assert.deepEqual(outcome(replied('EAUTH', 'AUTH PLAIN', '535 5.7.8 bad credentials')), { kind: 'stop', reply: '535 5.7.8 bad credentials' });
  assert.deepEqual(outcome(replied('EAUTH', 'AUTH LOGIN', '534 5.7.9 app password required')), { kind: 'stop', reply: '534 5.7.9 app password required' });
  assert.deepEqual(outcome(replied('EENVELOPE', 'MAIL FROM', '530 5.7.0 authentication required')), { kind: 'stop', reply: '530 5.7.0 authentication required' });
  assert.equal(outcome({ code: 'EAUTH', command: 'API', message: 'Missing credentials for "PLAIN"' }).kind, 'stop');
  assert.deepEqual(outcome(replied('EENVELOPE', 'MAIL FROM', '550 5.7.1 sender rejected')), { kind: 'stop', reply: '550 5.7.1 sender rejected' });
  assert.deepEqual(outcome(replied('EPROTOCOL', 'CONN', '554 no SMTP service here')), { kind: 'stop', reply: '554 no SMTP service here' });
  assert.equal(outcome({ code: 'ETLS', command: 'STARTTLS', message: 'Error initiating TLS' }).kind, 'stop');
  assert.equal(outcome({ code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', command: 'CONN', message: 'self-signed certificate' }).kind, 'stop');
  assert.equal(outcome({ code: 'ESOCKET', originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER', command: 'CONN', message: 'wrong version number' }).kind, 'stop');
  assert.equal(outcome({ code: 'EDNS', originalCode: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND smtp.exmaple.org' }).kind, 'stop');
});

test('reply: refusals Nodemailer makes before sending', () => {
  const tooBig = outcome({ code: 'EMESSAGE', command: 'MAIL FROM', message: 'Message size larger than allowed 1000' });
  assert.equal(tooBig.kind, 'stop', 'too big for the server whoever it goes to');
  assert.deepEqual(outcome({ code: 'EENVELOPE', command: 'API', message: 'Invalid recipient "a\\r\\nb@x"' }), { kind: 'failed', reply: 'EENVELOPE: Invalid recipient "a\\r\\nb@x"', bounce: false });
  assert.equal(outcome({ code: 'EENVELOPE', command: 'API', message: 'Invalid sender "a<b"' }).kind, 'stop');
});

test('reply: 503 is a session out of step, so retry on a new connection', () => {
  assert.deepEqual(outcome(replied('EENVELOPE', 'MAIL FROM', '503 5.5.1 nested MAIL command')), { kind: 'retry', reply: '503 5.5.1 nested MAIL command', slowDown: false });
});
