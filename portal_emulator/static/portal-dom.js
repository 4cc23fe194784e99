// The page's small UI pieces: one element builder, banners, toasts, people's names.

import { config, portal } from './portal-state.js';

export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'text') node.textContent = value;
    else if (key === 'className') node.className = value;
    else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children || []) {
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function banner(text, kind) {
  const line = el('div', { className: 'b24-banner b24-banner-' + (kind || 'error'), text });
  document.getElementById('portal-banner').appendChild(line);
}

export function toast(text) {
  portal.toasts.push(text);
  const node = el('div', { className: 'b24-toast', text });
  document.getElementById('toasts').appendChild(node);
  setTimeout(() => node.classList.add('b24-toast-out'), 3500);
  setTimeout(() => node.remove(), 4000);
}

export function userLabel(id) {
  const user = (config.users || []).find((u) => String(u.id) === String(id));
  return user ? user.fullName : 'user ' + id;
}

export function dialogLabel(dialogId) {
  const text = String(dialogId);
  return /^\d+$/.test(text) ? 'with ' + userLabel(text) : text;
}

// A command's argument object ({} when the app sent none or a non-object).
export function fields(args) {
  return args && typeof args === 'object' ? args : {};
}
