import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrayAction, TrayModel } from './tray-model.js';

vi.mock('electron', async () => (await import('./testing/fake-shell.js')).fakeShellModule);

const { TrayView } = await import('./tray-view.js');
const { FakeTray, resetFakeShell } = await import('./testing/fake-shell.js');

function model(overrides: Partial<TrayModel> = {}): TrayModel {
  return {
    icon: 'green',
    tooltip: 'QCC — production (primary)',
    menu: [
      { kind: 'item', id: 'status', label: '● Healthy', enabled: false, action: null },
      {
        kind: 'submenu',
        id: 'switch',
        label: 'Switch to',
        enabled: true,
        submenu: [
          { kind: 'item', id: 'switch:production', label: '● production', enabled: false, checked: true, action: { type: 'switch', config: 'production' } },
          { kind: 'item', id: 'switch:backup', label: '● backup', enabled: true, checked: false, action: { type: 'switch', config: 'backup' } },
        ],
      },
      { kind: 'separator' },
      { kind: 'checkbox', id: 'launch-at-login', label: 'Start QCC at login', enabled: true, checked: false, action: { type: 'set-launch-at-login', enabled: true } },
      { kind: 'item', id: 'quit', label: 'Quit QCC', enabled: true, action: { type: 'quit' } },
    ],
    ...overrides,
  };
}

function view(platform: NodeJS.Platform) {
  const actions: TrayAction[] = [];
  let iconClicks = 0;
  const tray = new TrayView({ assetsDir: '/app/assets', platform, onAction: (action) => actions.push(action), onIconClick: () => (iconClicks += 1) });
  return { tray, fake: FakeTray.instances.at(-1)!, actions, iconClicks: () => iconClicks };
}

beforeEach(() => resetFakeShell());

describe('TrayView', () => {
  it('starts grey, then shows the state icon, tooltip and menu', () => {
    const { tray, fake } = view('linux');
    expect(fake.image.path).toBe('/app/assets/tray/tray-grey.png');
    tray.render(model({ icon: 'amber', tooltip: 'QCC — backup (secondary)' }));
    expect(fake.image.path).toBe('/app/assets/tray/tray-amber.png');
    expect(fake.tooltip).toBe('QCC — backup (secondary)');
    expect(fake.menu!.labels()).toEqual(['● Healthy', 'Switch to', '  ● production', '  ● backup', '---', 'Start QCC at login', 'Quit QCC']);
  });

  it('uses template images on macOS and .ico files on Windows', () => {
    const mac = view('darwin');
    mac.tray.render(model({ icon: 'red' }));
    expect(mac.fake.image).toMatchObject({ path: '/app/assets/tray/tray-redTemplate.png', template: true });
    const windows = view('win32');
    windows.tray.render(model({ icon: 'red' }));
    expect(windows.fake.image).toMatchObject({ path: '/app/assets/tray/tray-red.ico', template: false });
  });

  it('turns clicks into the model’s actions, with radio and checkbox state', () => {
    const { tray, fake, actions } = view('linux');
    tray.render(model());
    expect(fake.menu!.find('switch:production')).toMatchObject({ type: 'radio', checked: true, enabled: false });
    expect(fake.menu!.find('launch-at-login')).toMatchObject({ type: 'checkbox', checked: false });
    fake.menu!.click('switch:backup');
    fake.menu!.click('launch-at-login');
    fake.menu!.click('quit');
    expect(actions).toEqual([{ type: 'switch', config: 'backup' }, { type: 'set-launch-at-login', enabled: true }, { type: 'quit' }]);
    expect(() => fake.menu!.click('status')).toThrow(/disabled/);
  });

  it('does not rebuild an unchanged menu (that would close it under the pointer)', () => {
    const { tray, fake } = view('linux');
    tray.render(model());
    tray.render(model({ icon: 'amber' }));
    expect(fake.menuSets).toBe(1);
    tray.render(model({ menu: [{ kind: 'item', id: 'quit', label: 'Quit QCC', enabled: true, action: { type: 'quit' } }] }));
    expect(fake.menuSets).toBe(2);
  });

  it('opens the dashboard on an icon click except on macOS, where a click opens the menu', () => {
    const linux = view('linux');
    linux.fake.emit('click');
    expect(linux.iconClicks()).toBe(1);
    const mac = view('darwin');
    mac.fake.emit('click');
    expect(mac.iconClicks()).toBe(0);
  });

  it('ignores renders after destroy', () => {
    const { tray, fake } = view('linux');
    tray.destroy();
    tray.render(model({ icon: 'red' }));
    expect(fake.isDestroyed()).toBe(true);
    expect(fake.image.path).toBe('/app/assets/tray/tray-grey.png');
  });
});
