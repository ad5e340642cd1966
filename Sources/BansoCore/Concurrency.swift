import Foundation

/// Results gathered from concurrent work; each slot written once, read after all finished.
private final class Slots<T>: @unchecked Sendable {
    var values: [T?]
    let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ v: T) {
        lock.lock()
        values[i] = v
        lock.unlock()
    }
}

/// Work handed to other cores while this thread goes on reading, taken back in the order it was
/// given: a big file is read on one thread and its chunks checked on the others.
///
/// At most `inFlight` pieces are pending (bounded memory); `submit` waits for a free place.
package final class OrderedBackgroundWork<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [Int: T] = [:]
    private var submitted = 0
    private var taken = 0
    private let places: DispatchSemaphore
    private let group = DispatchGroup()

    package init(inFlight: Int) { places = DispatchSemaphore(value: max(1, inFlight)) }

    /// Starts `work` on another thread (waits while `inFlight` pieces are pending).
    package func submit(_ work: @escaping @Sendable () -> T) {
        places.wait()
        let k = submitted
        submitted += 1
        group.enter()
        DispatchQueue.global().async {
            let result = work()
            self.lock.lock()
            self.done[k] = result
            self.lock.unlock()
            self.places.signal()
            self.group.leave()
        }
    }

    /// The finished results that follow those already taken, in submission order.
    package func takeReady() -> [T] {
        lock.lock()
        defer { lock.unlock() }
        var out: [T] = []
        while let r = done.removeValue(forKey: taken) {
            out.append(r)
            taken += 1
        }
        return out
    }

    /// Waits for everything submitted and returns the results not yet taken, in order.
    package func finish() -> [T] {
        group.wait()
        return takeReady()
    }
}

/// A value only the thread a `SerialHandOff` hands its batches to touches, until it finishes.
///
/// State added up row by row lives in it as a struct reached once per batch, because a class's
/// stored properties are checked for exclusive access at every use.
package final class Box<Value>: @unchecked Sendable {
    package var value: Value
    package init(_ value: Value) { self.value = value }
}

/// Items handed, in batches and in order, to one other thread that consumes them: this thread
/// goes on reading while that one adds up, and the consumer sees every item in the order given,
/// so its sums are those of a serial pass (floating-point sums depend on the order).
///
/// At most `inFlight` batches wait (bounded memory). The first error the consumer throws is
/// thrown by the next `add` or by `finish`, and the batches after it are dropped.
package final class SerialHandOff<Item: Sendable>: @unchecked Sendable {
    private let queue = DispatchQueue(label: "banso.serial-hand-off")
    private let places: DispatchSemaphore
    private let lock = NSLock()
    private var failure: (any Error)?
    private var batch: [Item] = []
    private let batchSize: Int
    private let consume: ([Item]) throws -> Void

    /// `consume` runs on one other thread, one batch at a time, in the order the items were added.
    package init(batchSize: Int = 4_096, inFlight: Int = 4, consume: @escaping ([Item]) throws -> Void) {
        self.batchSize = max(1, batchSize)
        // Signalled up from 0: libdispatch refuses to free a semaphore below its initial count.
        places = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, inFlight) { places.signal() }
        self.consume = consume
        batch.reserveCapacity(self.batchSize)
    }

    private var firstFailure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    /// Adds one item; hands the batch over when it is full (waits while `inFlight` batches wait).
    package func add(_ item: Item) throws {
        batch.append(item)
        if batch.count == batchSize { try handOver() }
    }

    private func handOver() throws {
        if let failure = firstFailure { throw failure }
        let items = batch
        batch.removeAll(keepingCapacity: true)
        places.wait()
        queue.async {
            defer { self.places.signal() }
            guard self.firstFailure == nil else { return }
            do { try self.consume(items) } catch {
                self.lock.lock()
                self.failure = error
                self.lock.unlock()
            }
        }
    }

    /// Hands over what is left and waits until everything was consumed.
    package func finish() throws {
        if !batch.isEmpty { try handOver() }
        queue.sync {}
        if let failure = firstFailure { throw failure }
    }
}

/// Maps on all cores, keeping input order (outputs stay byte-identical to a serial run).
package func parallelMap<C: RandomAccessCollection, T>(_ items: C, _ transform: @Sendable (C.Element) -> T) -> [T]
where C.Index == Int, C.Element: Sendable, C: Sendable {
    let slots = Slots<T>(items.count)
    let base = items.startIndex
    DispatchQueue.concurrentPerform(iterations: items.count) { k in
        slots.set(k, transform(items[base + k]))
    }
    return slots.values.map { $0! }
}
