import Bowser from 'bowser';

/** Browser and operating system, as /sessions shows them. */
export interface DeviceLabel {
  browser: string;
  os: string;
}

const UNKNOWN = 'Unknown';

/**
 * Names the browser and OS of a User-Agent string (bowser: small, no dependencies, maintained).
 * Only the major version is kept: "Chrome 131", "Windows 10", "iOS 17.5" is what people recognise.
 */
export function describeDevice(userAgent: string | undefined): DeviceLabel {
  if (!userAgent?.trim()) return { browser: UNKNOWN, os: UNKNOWN };
  const { browser, os } = Bowser.parse(userAgent);
  const browserName = browser.name ? [browser.name, browser.version?.split('.')[0]].filter(Boolean).join(' ') : UNKNOWN;
  const osName = os.name ? [os.name, os.versionName ?? os.version].filter(Boolean).join(' ') : UNKNOWN;
  return { browser: browserName, os: osName };
}
