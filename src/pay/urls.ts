// The pay page's public addresses under PUBLIC_BASE_URL (which may carry a path prefix behind a proxy): what a
// redirect-qr lane's merchant-redirect code opens, and the ePayment `returnUrl` the customer comes back to.

function base(publicBaseUrl: URL): string {
  return publicBaseUrl.href.replace(/\/+$/, '');
}

/** `PUBLIC_BASE_URL/pay/{laneId}`: the page a redirect-qr lane's sticker opens. */
export function payPageUrl(publicBaseUrl: URL, laneId: string): string {
  return `${base(publicBaseUrl)}/pay/${encodeURIComponent(laneId)}`;
}

/** `PUBLIC_BASE_URL/pay/{laneId}/result/{sessionId}`: where Vipps sends the customer back (`returnUrl`). */
export function payResultUrl(publicBaseUrl: URL, laneId: string, sessionId: string): string {
  return `${payPageUrl(publicBaseUrl, laneId)}/result/${encodeURIComponent(sessionId)}`;
}
