import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSnsCertificateUrl, isSnsUrl } from '../../src/feedback/sns-url.ts';

const PEM = '/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';

test('an SNS certificate URL must be https on sns.<region>.amazonaws.com(.cn), at SNS’s certificate path', () => {
  for (const ok of [`https://sns.us-east-1.amazonaws.com${PEM}`, `https://sns.cn-north-1.amazonaws.com.cn${PEM}`, `https://sns.us-gov-west-1.amazonaws.com${PEM}`, `https://sns.ap-southeast-2.amazonaws.com${PEM}`]) {
    assert.ok(isSnsCertificateUrl(ok), ok);
  }
  for (const bad of [
    `http://sns.us-east-1.amazonaws.com${PEM}`,
    `https://sns.us-east-1.amazonaws.com.evil.example${PEM}`,
    `https://evil.example/sns.us-east-1.amazonaws.com${PEM}`,
    `https://sns.us-east-1.amazonaws.com:8443${PEM}`,
    `https://user:pw@sns.us-east-1.amazonaws.com${PEM}`,
    `https://s3.us-east-1.amazonaws.com${PEM}`,
    `https://sns.amazonaws.com${PEM}`,
    `https://xsns.us-east-1.amazonaws.com${PEM}`,
    `https://sns.us-east-1.amazonaws.com/cert.pem`,
    `https://sns.us-east-1.amazonaws.com${PEM}?x=1`,
    'not a url',
    '',
  ]) {
    assert.ok(!isSnsCertificateUrl(bad), bad);
  }
});

test('a SubscribeURL is held to the same host rule, with SNS’s query', () => {
  assert.ok(isSnsUrl('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:t&Token=abc'));
  assert.ok(!isSnsUrl('https://169.254.169.254/latest/meta-data/'));
  assert.ok(!isSnsUrl('http://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription'));
  assert.ok(!isSnsUrl('https://localhost/?Action=ConfirmSubscription'));
});
