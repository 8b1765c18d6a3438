// Drives the CDS Hooks sandbox in headless Chromium (Debian's chromium and chromedriver, through
// selenium-webdriver) against our service, as a clinician would: open the chart, see our card, go to
// the Rx View, pick a quinine product, see our order-select card; dismiss one card with an override
// reason and take a suggestion of another (each makes the sandbox post feedback).
// Prints "PASS <step>" or "FAIL <step>: why" per step; exit 1 on a FAIL.
// Usage: node drive.js <sandbox URL> <FHIR base URL> <discovery URL> <patient id> <screenshot dir>
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Builder, By, until } = require('selenium-webdriver');
const chrome = require('selenium-webdriver/chrome');

const [sandboxUrl, fhirUrl, discoveryUrl, patientId, shots] = process.argv.slice(2);
const WAIT = Number(process.env.E2E_UI_TIMEOUT_MS || 60000);
const PRODUCT = 'Quinine Sulfate 324 MG Oral Capsule';
// The suggestion of the quinine-for-cramps card (its PlanDefinition's sub-action title).
const SUGGESTION = 'Remove the quinine order';

// A card element of the sandbox (MUI Card) whose text contains the given words.
const cardWith = (text) => By.xpath(`//div[contains(@class,'MuiCard-root')][contains(., ${JSON.stringify(text)})]`);

let failed = false;
async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`PASS ${name}${detail ? `: ${detail}` : ''}`);
    return true;
  } catch (e) {
    failed = true;
    console.log(`FAIL ${name}: ${String(e.message || e).split('\n')[0]}`);
    return false;
  }
}

async function screenshot(driver, name) {
  fs.writeFileSync(path.join(shots, `${name}.png`), await driver.takeScreenshot(), 'base64');
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'legcramp-e2e-chromium-'));
  const options = new chrome.Options()
    .setChromeBinaryPath(process.env.CHROMIUM_BIN || '/usr/bin/chromium')
    .addArguments('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--window-size=1600,1300',
      `--user-data-dir=${profile}`);
  const service = new chrome.ServiceBuilder(process.env.CHROMEDRIVER_BIN || '/usr/bin/chromedriver');
  const driver = await new Builder().forBrowser('chrome').setChromeOptions(options).setChromeService(service).build();
  try {
    const url = `${sandboxUrl}?fhirServiceUrl=${encodeURIComponent(fhirUrl)}&patientId=${encodeURIComponent(patientId)}`
      + `&serviceDiscoveryURL=${encodeURIComponent(discoveryUrl)}&hook=patient-view&screen=patient-view`;

    const discovered = await step('sandbox discovers our services (signed GET /cds-services)', async () => {
      await driver.get(url);
      await driver.wait(async () => {
        const persisted = await driver.executeScript("return localStorage.getItem('PERSISTED_cdsServices')");
        return persisted && persisted.includes(discoveryUrl);
      }, WAIT, 'the sandbox never recorded our discovery endpoint as loaded');
      return 'discovery endpoint listed as loaded by the sandbox';
    });

    const patientView = discovered && await step('patient-view card rendered', async () => {
      const card = await driver.wait(until.elementLocated(cardWith('Consider baclofen')), WAIT,
        'no "Consider baclofen" card on the Patient View');
      await driver.wait(until.elementIsVisible(card), WAIT);
      await screenshot(driver, 'patient-view');
      return (await card.getText()).split('\n')[0];
    });

    if (patientView) {
      await step('a patient-view card dismissed with an override reason (the sandbox posts feedback)', async () => {
        const card = await driver.findElement(cardWith('Consider baclofen'));
        await card.findElement(By.xpath(".//button[@aria-label='select dismiss reason']")).click();
        const reason = await driver.wait(until.elementLocated(
          By.xpath("//li[contains(@class,'MuiMenuItem-root')][starts-with(normalize-space(), 'Override:')]")), WAIT,
        'the card offered no override reasons');
        const label = (await reason.getAttribute('textContent')).replace(/\s+/g, ' ').trim();
        await reason.click();
        return `chose "${label}"`;
      });
    }

    const orderSelect = patientView && await step('order-select card rendered for a quinine product', async () => {
      await driver.findElement(By.xpath("//button[normalize-space()='Rx View']")).click();
      const input = await driver.wait(until.elementLocated(By.css("input[name='medication-input']")), WAIT);
      // One key at a time, as a person types: the sandbox's field is controlled by a 150 ms debounced
      // store update and drops keys that arrive faster than that.
      for (const key of 'Quinine Sulfate 324') {
        await input.sendKeys(key);
        await driver.sleep(200);
      }
      const choice = await driver.wait(until.elementLocated(
        By.xpath(`//*[contains(@class,'MuiListItemButton-root')][normalize-space()=${JSON.stringify(PRODUCT)}]`)), WAIT,
      `the medication list never offered "${PRODUCT}"`).catch(async (e) => {
        await screenshot(driver, 'medication-list');
        throw e;
      });
      await choice.click();
      const card = await driver.wait(until.elementLocated(cardWith('Cancel quinine')), WAIT,
        'no "Cancel quinine" card on the Rx View');
      await driver.wait(until.elementIsVisible(card), WAIT);
      await screenshot(driver, 'order-select');
      return (await card.getText()).split('\n')[0];
    });

    if (orderSelect) {
      await step('a suggestion taken on the order-select card (the sandbox posts feedback)', async () => {
        const card = await driver.findElement(cardWith('Cancel quinine'));
        const suggestion = await card.findElement(By.xpath(`.//button[normalize-space()=${JSON.stringify(SUGGESTION)}]`));
        const label = await suggestion.getText();
        await suggestion.click();
        await screenshot(driver, 'suggestion-taken');
        return `clicked "${label}"`;
      });
    }
  } finally {
    await driver.quit();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log(`FAIL browser session: ${String(e.message || e).split('\n')[0]}`);
  process.exit(1);
});
