/** An amount in minor units as people read it: 2500 NOK → "25.00 NOK" (NOK, DKK and EUR have 2 decimals). */
export function moneyText(value: number, currency = 'NOK'): string {
  return `${(value / 100).toFixed(2)} ${currency}`;
}
