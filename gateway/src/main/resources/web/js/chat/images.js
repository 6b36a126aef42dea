// Images of attachments. A download needs the member's token, which an <img src> cannot send:
// the page fetches the file with the token and shows the blob. Each is fetched once.
export function images(api, onError) {
  const urls = new Map(); // attachment id -> Promise of an object URL

  return function img(attachment) {
    const el = document.createElement('img');
    el.alt = attachment.name || 'image';
    el.dataset.attachment = attachment.id;
    if (attachment.width && attachment.height) {
      el.width = Math.min(attachment.width, 240);
      el.height = Math.round(el.width * attachment.height / attachment.width);
    }
    if (!urls.has(attachment.id)) {
      urls.set(attachment.id, api.download(attachment.url).then(blob => URL.createObjectURL(blob)));
    }
    urls.get(attachment.id).then(url => { el.src = url; }).catch(e => {
      urls.delete(attachment.id); // tried again at the next showing
      el.alt = 'image not loaded: ' + e.message;
      onError(e);
    });
    return el;
  };
}
