import { jsonCopy } from '../protocol/copy'
import type { ThreadItemUpdate } from '../protocol/events'
import type { ThreadItem } from '../protocol/items'

/** Apply an update to the server's copy of a pending item (kept for cancellation only). */
export const applyUpdate = (item: ThreadItem, update: ThreadItemUpdate): void => {
	if (item.type === 'assistant_message') {
		if (!update.type.startsWith('assistant_message.')) return
		const index = (update as { content_index: number }).content_index
		while (item.content.length <= index)
			item.content.push({ type: 'output_text', text: '', annotations: [] })
		const part = item.content[index]
		switch (update.type) {
			case 'assistant_message.content_part.added':
			case 'assistant_message.content_part.done':
				item.content[index] = jsonCopy(update.content)
				break
			case 'assistant_message.content_part.text_delta':
				if (!part) throw new Error(`No content part at index ${index}`)
				part.text += update.delta
				break
			case 'assistant_message.content_part.annotation_added':
				if (!part) throw new Error(`No content part at index ${index}`)
				part.annotations ??= []
				if (update.annotation_index <= part.annotations.length)
					part.annotations.splice(update.annotation_index, 0, update.annotation)
				else part.annotations.push(update.annotation)
				break
		}
	} else if (item.type === 'workflow') {
		if (update.type === 'workflow.task.added') item.workflow.tasks.push(jsonCopy(update.task))
		else if (update.type === 'workflow.task.updated')
			item.workflow.tasks[update.task_index] = jsonCopy(update.task)
	}
}
