

with categories as (

    select * from "main"."stg_tickit__categories"

),

dates as (

    select * from "main"."stg_tickit__dates"

),

events as (

    select * from "main"."stg_tickit__events"

),

venues as (

    select * from "main"."stg_tickit__venues"

),

sales as (

    select * from "main"."stg_tickit__sales"

),

event_sales as (

    select
        event_id,
        sum(qty_sold) as tickets_sold,
        sum(price_paid) as gross_sales
    from sales
    group by event_id

),

final as (

    select
        e.event_id,
        e.event_name,
        e.start_time,
        e.start_time::date as start_date,
        d.day as start_day,
        d.qtr as start_qtr,
        'Q' || trim(start_qtr) as quarter_label,
        d.holiday as is_holiday,
        c.cat_group,
        c.cat_name,
        v.venue_name,
        v.venue_city,
        v.venue_state,
        v.venue_seats,
        coalesce(es.tickets_sold, 0) as tickets_sold,
        coalesce(es.gross_sales, 0) as gross_sales
    from
        events as e
        join categories as c on c.cat_id = e.cat_id
        join venues as v on v.venue_id = e.venue_id
        join dates as d on d.date_id = e.date_id
        left join event_sales as es on es.event_id = e.event_id
    order by
        event_id

)

select * from final
