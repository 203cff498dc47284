import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../src/sessions/device-label.js';

describe('describeDevice', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome 131',
      'Windows 10',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128', 'Linux'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17',
      'iOS 17.5',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Microsoft Edge 131',
      'macOS Catalina',
    ],
  ])('names the browser and system of %s', (userAgent, browser, os) => {
    expect(describeDevice(userAgent)).toEqual({ browser, os });
  });

  it('says Unknown when there is no User-Agent, or one it cannot read', () => {
    expect(describeDevice(undefined)).toEqual({ browser: 'Unknown', os: 'Unknown' });
    expect(describeDevice('   ')).toEqual({ browser: 'Unknown', os: 'Unknown' });
    expect(describeDevice('node-superagent/3.8.3')).toEqual({ browser: 'Unknown', os: 'Unknown' });
  });
});
