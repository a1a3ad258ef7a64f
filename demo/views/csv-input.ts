// Bringing a CSV file in: the file input and the drop zone both hand the chosen file to `take`.
// The file is read with File.text() in the page and goes only to the page's own worker.

/** Calls `take` with the file chosen in `input` or dropped on `zone`. */
export function watchCsvInput(input: HTMLInputElement, zone: HTMLElement, take: (file: File) => void): void {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) take(file);
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) take(file);
  });
}
