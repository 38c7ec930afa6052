/**
 * The live list, newest first. Built once from the model, a page of rows at a time (the next
 * page when the reader scrolls to the end: 11,000 items cost the same as 100 to show); afterwards
 * each change touches its own row only (a new row is inserted in its place by seq: a live one at
 * the top, an older page's further down; an updated one has its classes and cells replaced), so
 * a live update never re-renders the list.
 */
import { el } from './dom.ts';
import {
  counterpartName,
  formatAge,
  formatFar,
  formatPChance,
  formatTime,
  describeRegion,
} from './format.ts';
import { isTestNotice, isTriple, matchesFilters, type Change, type Filters, type Item } from './model.ts';

export interface ListView {
  render(items: readonly Item[], filters: Filters): void;
  apply(changes: readonly Change[], filters: Filters): void;
  /** Refreshes the age column. */
  tick(): void;
}

function triggerHref(triggerId: string): string {
  return `/triggers/${encodeURIComponent(triggerId)}`;
}

function rowClasses(item: Item): string {
  const classes = ['row', item.kind];
  if (item.kind === 'notice') {
    if (item.retracted) classes.push('retracted');
    if (item.superseded) classes.push('superseded');
    if (isTestNotice(item.notice)) classes.push('test');
  } else {
    const c = item.coincidence;
    if (c.status === 'withdrawn') classes.push('withdrawn');
    if (c.tier) classes.push(`tier-${c.tier}`);
  }
  return classes.join(' ');
}

function cells(item: Item): HTMLElement[] {
  if (item.kind === 'notice') {
    const n = item.notice;
    const state = item.retracted ? 'retracted' : item.superseded ? 'superseded' : n.alertType;
    return [
      el(
        'td',
        { class: 'what' },
        el('span', { class: `messenger m-${n.messenger}` }, n.messenger),
        ` ${n.observatory} ${n.noticeType}`,
      ),
      el(
        'td',
        {},
        el('a', { href: triggerHref(n.triggerId), 'data-trigger': n.triggerId }, n.eventName ?? n.triggerId),
      ),
      el('td', { class: 'time', 'data-time': n.triggerTime }, formatTime(n.triggerTime)),
      el(
        'td',
        { class: 'age', 'data-time': n.triggerTime },
        formatAge(Date.now() - Date.parse(n.triggerTime)),
      ),
      el('td', { class: 'tier' }, ''),
      el('td', {}, ''),
      el('td', {}, n.farHz === undefined ? describeRegion(n.region) : formatFar(n.farHz)),
      el('td', { class: 'state' }, state),
    ];
  }
  const c = item.coincidence;
  const triple = isTriple(c);
  const observatories = [c.trigger.observatory, ...(c.partners ?? []).map((p) => p.observatory)];
  return [
    el(
      'td',
      { class: 'what' },
      el(
        'span',
        { class: `messenger ${triple ? 'm-triple' : 'm-coincidence'}` },
        triple ? 'triple' : 'coincidence',
      ),
      ` ${observatories.join(' × ')} × ${counterpartName(c)}`,
    ),
    el(
      'td',
      {},
      el(
        'a',
        {
          href: `${triggerHref(c.trigger.triggerId)}#${encodeURIComponent(c.id)}`,
          'data-trigger': c.trigger.triggerId,
        },
        c.trigger.triggerId,
      ),
    ),
    el(
      'td',
      { class: 'time', 'data-time': c.trigger.triggerTime ?? '' },
      formatTime(c.trigger.triggerTime ?? ''),
    ),
    el(
      'td',
      { class: 'age', 'data-time': c.trigger.triggerTime ?? '' },
      formatAge(Date.now() - Date.parse(c.trigger.triggerTime ?? '')),
    ),
    el('td', { class: 'tier' }, c.tier ?? '—'),
    el('td', { class: 'pchance' }, formatPChance(c.pChance)),
    el('td', {}, formatFar(c.farHz)),
    el('td', { class: 'state' }, c.status),
  ];
}

/** Rows built per page: the first page at once, the next ones as the reader scrolls near the end. */
export const PAGE_ROWS = 100;

/** Where `seq` goes in a list sorted by seq, highest first: the index of the first lower one. */
function insertionIndex(list: readonly { seq: number }[], seq: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((list[mid]?.seq ?? 0) > seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function createListView(
  body: HTMLTableSectionElement,
  onSelect: (triggerId: string) => void,
): ListView {
  const rows = new Map<string, HTMLTableRowElement>();
  /** The rows built, highest seq (when built) first, as they stand in the table. */
  let built: Array<{ seq: number; row: HTMLTableRowElement }> = [];
  /** Items that pass the filters and have no row yet, highest seq first: they come after `built`. */
  let pending: Item[] = [];
  const build = (item: Item): HTMLTableRowElement => {
    const row = el(
      'tr',
      { class: rowClasses(item), 'data-key': item.key, 'data-seq': String(item.seq) },
      ...cells(item),
    );
    rows.set(item.key, row);
    return row;
  };
  const moreCell = el('td', { colspan: '8' }, '');
  const more = el('tr', { class: 'more' }, moreCell);
  /** Whether the end of the list is on screen (then older items are shown as they come). */
  let moreVisible = false;
  const renderPage = (): void => {
    const page = pending.slice(0, PAGE_ROWS);
    pending = pending.slice(PAGE_ROWS);
    const fragment = document.createDocumentFragment();
    for (const item of page) {
      const row = build(item);
      built.push({ seq: item.seq, row });
      fragment.append(row);
    }
    more.before(fragment);
    moreCell.textContent = pending.length > 0 ? `${pending.length} more…` : '';
  };
  const observer = new IntersectionObserver((entries) => {
    moreVisible = entries.some((e) => e.isIntersecting);
    if (moreVisible && pending.length > 0) renderPage();
  });
  observer.observe(more);
  body.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    if (target.closest('a')) return;
    const row = target.closest('tr');
    const anchor = row?.querySelector<HTMLAnchorElement>('a[data-trigger]');
    const triggerId = anchor?.dataset.trigger;
    if (triggerId !== undefined) onSelect(triggerId);
  });
  /** A new item in its place by seq: a row among the built ones, or a pending item after them. */
  const place = (item: Item, older: Item[]): void => {
    const lastBuilt = built.at(-1);
    if (lastBuilt !== undefined && item.seq < lastBuilt.seq) {
      older.push(item);
      return;
    }
    if (lastBuilt === undefined && (pending.length > 0 || older.length > 0)) {
      older.push(item);
      return;
    }
    const at = insertionIndex(built, item.seq);
    const row = build(item);
    (built[at]?.row ?? more).before(row);
    built.splice(at, 0, { seq: item.seq, row });
  };
  return {
    render(items, filters) {
      rows.clear();
      built = [];
      pending = items.filter((item) => matchesFilters(item, filters));
      body.replaceChildren(more);
      renderPage();
    },
    apply(changes, filters) {
      const older: Item[] = [];
      for (const { op, item } of changes) {
        const existing = rows.get(item.key);
        if (op === 'update') {
          // Rows not built yet are built from the (updated) item when their page comes.
          if (existing) {
            existing.className = rowClasses(item);
            existing.replaceChildren(...cells(item));
          }
          continue;
        }
        if (!matchesFilters(item, filters)) continue;
        // A live record has the highest seq and goes on top; an older page's go further down.
        place(item, older);
      }
      if (older.length === 0) return;
      // Merged into the pending items in one pass (older pages bring thousands).
      older.sort((a, b) => b.seq - a.seq);
      const merged: Item[] = [];
      let i = 0;
      let j = 0;
      while (i < pending.length || j < older.length) {
        const a = pending[i];
        const b = older[j];
        if (b === undefined || (a !== undefined && a.seq > b.seq)) {
          merged.push(a as Item);
          i += 1;
        } else {
          merged.push(b);
          j += 1;
        }
      }
      pending = merged;
      if (moreVisible || built.length < PAGE_ROWS) renderPage();
      else moreCell.textContent = `${pending.length} more…`;
    },
    tick() {
      const now = Date.now();
      for (const cell of body.querySelectorAll<HTMLElement>('td.age')) {
        cell.textContent = formatAge(now - Date.parse(cell.dataset.time ?? ''));
      }
    },
  };
}
