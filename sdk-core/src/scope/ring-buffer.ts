/** Fixed-capacity FIFO that overwrites its oldest entry: breadcrumbs never grow past `capacity`. */
export class RingBuffer<T> {
  // Allocated on the first push: every request clones a scope, and most never add a breadcrumb.
  #items: (T | undefined)[] | undefined
  #start = 0
  #length = 0

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.capacity <= 0) return
    this.#items ??= new Array<T | undefined>(this.capacity)
    const index = (this.#start + this.#length) % this.capacity
    this.#items[index] = item
    if (this.#length < this.capacity) this.#length++
    else this.#start = (this.#start + 1) % this.capacity
  }

  toArray(): T[] {
    const out: T[] = []
    for (let i = 0; i < this.#length; i++) out.push(this.#items![(this.#start + i) % this.capacity] as T)
    return out
  }

  clear(): void {
    this.#items = undefined
    this.#start = 0
    this.#length = 0
  }

  get length(): number {
    return this.#length
  }

  clone(): RingBuffer<T> {
    const copy = new RingBuffer<T>(this.capacity)
    if (this.#length > 0) {
      copy.#items = this.#items!.slice()
      copy.#start = this.#start
      copy.#length = this.#length
    }
    return copy
  }
}
