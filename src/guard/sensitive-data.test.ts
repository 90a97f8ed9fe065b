import { describe, expect, it } from 'vitest';
import { chineseResidentIdValid, findSensitiveData, ibanValid, luhnValid, redact, redactSensitiveData } from './sensitive-data.js';

const kinds = (text: string) => findSensitiveData({ text }).map((m) => m.kind);

describe('secrets and personal data', () => {
  it('finds provider keys, tokens and private keys', () => {
    expect(kinds('key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789')).toEqual(['openai-key']);
    expect(kinds('sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123')).toEqual(['anthropic-key']);
    expect(kinds('AKIAIOSFODNN7EXAMPLE')).toEqual(['aws-access-key']);
    expect(kinds('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual(['aws-secret-key']);
    expect(kinds(`token ghp_${'a'.repeat(36)}`)).toEqual(['github-token']);
    expect(kinds('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toEqual(['jwt']);
    expect(kinds('-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----')).toEqual(['private-key']);
    expect(kinds('AIzaSyA-1234567890abcdefghijklmnopqrstu')).toEqual(['google-api-key']);
  });

  it('finds personal data, checking checksums', () => {
    expect(kinds('write to alice@example.com')).toEqual(['email']);
    expect(kinds('手机 13912345678')).toEqual(['cn-mobile']);
    expect(kinds('call +44 20 7946 0958')).toEqual(['phone']);
    expect(kinds('身份证 11010519491231002X')).toEqual(['cn-resident-id']);
    expect(kinds('身份证 110105194912310021')).toEqual([]); // wrong check digit
    expect(kinds('card 4111 1111 1111 1111')).toEqual(['payment-card']);
    expect(kinds('order 4111 1111 1111 1112')).toEqual([]); // fails Luhn
    expect(kinds('IBAN GB82 WEST 1234 5698 7654 32')).toEqual(['iban']);
    expect(kinds('IBAN GB82 WEST 1234 5698 7654 33')).toEqual([]); // fails mod 97
  });

  it('checksum helpers', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(chineseResidentIdValid('11010519491231002X')).toBe(true);
  });

  it('redacts, and redact(text) is the one-argument scrubber for traces', () => {
    const r = redactSensitiveData({ text: 'mail bob@example.org, card 5555 5555 5555 4444.' });
    expect(r.text).toBe('mail [REDACTED:email], card [REDACTED:payment-card].');
    expect(r.matches.map((m) => m.category)).toEqual(['pii', 'pii']);
    expect(redact('no secrets here')).toBe('no secrets here');
    expect(redact(`Bearer ${'x'.repeat(30)}`)).toBe('Bearer [REDACTED:bearer-token]');
    expect(redact(undefined as unknown as string)).toBeUndefined();
  });
});
