import puppeteer from 'puppeteer-core';
const browser = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
const page = await browser.newPage();
await page.goto('data:text/html,<button id=b>hi</button><script>b.onclick=()=>document.title="clicked"</script>');
await page.mouse.click(10, 10);
console.log('firefox', await page.evaluate(() => document.title), await browser.version());
await browser.close();
