/** Fixed-capacity FIFO that overwrites its oldest entry: breadcrumbs never grow past `capacity`. */
export class RingBuffer<T> {
  #items: (T | undefined)[]
  #start = 0
  #length = 0

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(Math.max(0, capacity))
  }

  push(item: T): void {
    if (this.capacity <= 0) return
    const index = (this.#start + this.#length) % this.capacity
    this.#items[index] = item
    if (this.#length < this.capacity) this.#length++
    else this.#start = (this.#start + 1) % this.capacity
  }

  toArray(): T[] {
    const out: T[] = []
    for (let i = 0; i < this.#length; i++) out.push(this.#items[(this.#start + i) % this.capacity] as T)
    return out
  }

  clear(): void {
    this.#items = new Array<T | undefined>(this.capacity)
    this.#start = 0
    this.#length = 0
  }

  get length(): number {
    return this.#length
  }

  clone(): RingBuffer<T> {
    const copy = new RingBuffer<T>(this.capacity)
    for (const item of this.toArray()) copy.push(item)
    return copy
  }
}
