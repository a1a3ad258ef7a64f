// The sample page of the bytes benchmark (bench/bytes.ts): what a page that trains a small
// network in the browser imports — tensors, autograd, nn and optim — and nothing else. It fits a
// 4→16→1 MLP with Adam for a few steps and reports the loss and the build it loaded.
import * as fg from '../../src/index.js';

try {
  const info = await fg.ready();
  fg.manualSeed(0);
  const model = new fg.nn.Sequential(new fg.nn.Linear(4, 16), new fg.nn.ReLU(), new fg.nn.Linear(16, 1));
  const opt = new fg.optim.Adam(model.parameters(), { lr: 0.05 });
  const x = fg.randn([64, 4]);
  const y = x.sum(1, { keepdim: true });
  const losses: number[] = [];
  for (let step = 0; step < 20; step++) {
    opt.zeroGrad();
    const loss = fg.mseLoss(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
    loss.dispose();
  }
  (window as unknown as { result: unknown }).result = { info, first: losses[0], last: losses[losses.length - 1] };
} catch (e) {
  (window as unknown as { result: unknown }).result = { error: String((e as Error)?.stack ?? e) };
}
